;;; deriv: symbolic differentiation, the Gabriel benchmark. Builds many short-lived lists.
;;;
;;; Usage: deriv.scm [REPEAT]    (default 200000)

(define (argument default)
  (let ((args (command-line)))
    (if (pair? (cdr args)) (string->number (cadr args)) default)))

(define (map f l)
  (if (null? l) '() (cons (f (car l)) (map f (cdr l)))))

(define (deriv a)
  (cond ((not (pair? a))
         (if (eq? a 'x) 1 0))
        ((eq? (car a) '+)
         (cons '+ (map deriv (cdr a))))
        ((eq? (car a) '-)
         (cons '- (map deriv (cdr a))))
        ((eq? (car a) '*)
         (list '* a (cons '+ (map (lambda (a) (list '/ (deriv a) a)) (cdr a)))))
        ((eq? (car a) '/)
         (list '-
               (list '/ (deriv (cadr a)) (caddr a))
               (list '/ (cadr a) (list '* (caddr a) (caddr a) (deriv (caddr a))))))
        (else
         (error "deriv: no rule for" (car a)))))

(define expression '(+ (* 3 x x) (* a x x) (* b x) 5))

(define (run n)
  (let loop ((i 1) (result (deriv expression)))
    (if (< i n) (loop (+ i 1) (deriv expression)) result)))

(define repeats (argument 200000))
(display (run repeats))
(newline)
