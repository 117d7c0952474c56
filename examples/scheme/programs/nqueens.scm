;;; nqueens: counts the ways to place N queens on an N x N board, with lists as the
;;; only data structure (the Gabriel-style version from the R7RS benchmarks).
;;;
;;; Usage: nqueens.scm [N]    (default 10)

(define (argument default)
  (let ((args (command-line)))
    (if (pair? (cdr args)) (string->number (cadr args)) default)))

(define (nqueens n)
  (define (one-to n)
    (let loop ((i n) (l '()))
      (if (= i 0) l (loop (- i 1) (cons i l)))))
  (define (try-it x y z)
    (if (null? x)
        (if (null? y) 1 0)
        (+ (if (ok? (car x) 1 z)
               (try-it (append (cdr x) y) '() (cons (car x) z))
               0)
           (try-it (cdr x) (cons (car x) y) z))))
  (define (ok? row dist placed)
    (if (null? placed)
        #t
        (and (not (= (car placed) (+ row dist)))
             (not (= (car placed) (- row dist)))
             (ok? row (+ dist 1) (cdr placed)))))
  (try-it (one-to n) '() '()))

(define n (argument 10))
(display "(nqueens ") (display n) (display ") = ") (display (nqueens n)) (newline)
