;;; tak: Takeuchi's function, the Gabriel benchmark. Nearly all calls, few of them in
;;; tail position.
;;;
;;; Usage: tak.scm [REPEAT]    (runs (tak 18 12 6) REPEAT times; default 40)

(define (argument default)
  (let ((args (command-line)))
    (if (pair? (cdr args)) (string->number (cadr args)) default)))

(define (tak x y z)
  (if (not (< y x))
      z
      (tak (tak (- x 1) y z)
           (tak (- y 1) z x)
           (tak (- z 1) x y))))

(define (repeat n thunk)
  (let loop ((i 1) (result (thunk)))
    (if (< i n) (loop (+ i 1) (thunk)) result)))

(define repeats (argument 40))
(display "(tak 18 12 6) = ")
(display (repeat repeats (lambda () (tak 18 12 6))))
(display ", ")
(display repeats)
(display " times")
(newline)
