;;; primes: the primes up to N by a sieve on lists, the Gabriel-style benchmark. Each pass
;;; copies the surviving list, non-tail-recursively.
;;;
;;; Usage: primes.scm [N]    (default 20000)

(define (argument default)
  (let ((args (command-line)))
    (if (pair? (cdr args)) (string->number (cadr args)) default)))

(define (interval-list m n)
  (if (> m n)
      '()
      (cons m (interval-list (+ 1 m) n))))

(define (sieve l)
  (letrec ((remove-multiples
            (lambda (n l)
              (if (null? l)
                  '()
                  (if (= (remainder (car l) n) 0)
                      (remove-multiples n (cdr l))
                      (cons (car l) (remove-multiples n (cdr l))))))))
    (if (null? l)
        '()
        (cons (car l) (sieve (remove-multiples (car l) (cdr l)))))))

(define (primes<= n)
  (sieve (interval-list 2 n)))

(define (last l)
  (if (null? (cdr l)) (car l) (last (cdr l))))

(define n (argument 20000))
(define primes (primes<= n))
(display (length primes))
(display " primes up to ")
(display n)
(display ", the largest ")
(display (last primes))
(newline)
