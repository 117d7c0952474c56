;;; church: arithmetic on Church numerals. Every number is a closure and every operation
;;; makes more; nothing else is allocated.
;;;
;;; Usage: church.scm [N]    (default 2000: computes N * N, and the factorial of 8)

(define (argument default)
  (let ((args (command-line)))
    (if (pair? (cdr args)) (string->number (cadr args)) default)))

(define zero (lambda (f) (lambda (x) x)))
(define (succ n) (lambda (f) (lambda (x) (f ((n f) x)))))
(define (add m n) (lambda (f) (lambda (x) ((m f) ((n f) x)))))
(define (mul m n) (lambda (f) (m (n f))))
(define (power base exponent) (exponent base))

;; Church booleans and pairs, for the predecessor.
(define true (lambda (a) (lambda (b) a)))
(define false (lambda (a) (lambda (b) b)))
(define (if-church c then else) ((c then) else))
(define (make-pair a b) (lambda (select) ((select a) b)))
(define (first p) (p true))
(define (second p) (p false))
(define (is-zero n) ((n (lambda (x) false)) true))
(define (pred n)
  (first ((n (lambda (p) (make-pair (second p) (succ (second p)))))
          (make-pair zero zero))))

(define (church k)
  (let loop ((k k) (n zero))
    (if (= k 0) n (loop (- k 1) (succ n)))))

(define (integer n)
  ((n (lambda (x) (+ x 1))) 0))

;; The factorial, recursing on Church numerals only: the branches are thunks.
(define (factorial n)
  ((if-church (is-zero n)
              (lambda () (succ zero))
              (lambda () (mul n (factorial (pred n)))))))

(define n (argument 2000))
(define big (church n))
(display "N * N = ") (display (integer (mul big big))) (newline)
(display "N + N = ") (display (integer (add big big))) (newline)
(display "2 ^ 16 = ") (display (integer (power (church 2) (church 16)))) (newline)
(display "8! = ") (display (integer (factorial (church 8)))) (newline)
