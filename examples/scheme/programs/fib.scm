;;; fib: the doubly recursive Fibonacci function. Calls, integer arithmetic, and deep
;;; non-tail recursion; no allocation besides environment frames.
;;;
;;; Usage: fib.scm [N]    (default 30)

(define (argument default)
  (let ((args (command-line)))
    (if (pair? (cdr args)) (string->number (cadr args)) default)))

(define (fib n)
  (if (< n 2)
      n
      (+ (fib (- n 1)) (fib (- n 2)))))

(define n (argument 30))
(display "(fib ") (display n) (display ") = ") (display (fib n)) (newline)
