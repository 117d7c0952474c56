;;; cycles: builds cyclic structures and drops them, in a long loop. Circular lists,
;;; doubly linked rings of vectors, and closures that refer to each other through their
;;; environment. Every 20th round's structures are kept for 1280 rounds (in a ring of 64
;;; keepers): long enough to be promoted, so cycles also die in the old generation, which
;;; major collections must reclaim. The heap must stay bounded however long it runs.
;;;
;;; Usage: cycles.scm [ROUNDS]    (default 100000; with --stats, watch peak_reserved_kib)

(define (argument default)
  (let ((args (command-line)))
    (if (pair? (cdr args)) (string->number (cadr args)) default)))

;; A circular list of the numbers below n.
(define (make-ring n)
  (let ((head (list 0)))
    (let loop ((i 1) (tail head))
      (if (= i n)
          (begin (set-cdr! tail head) head)
          (let ((cell (list i)))
            (set-cdr! tail cell)
            (loop (+ i 1) cell))))))

;; The sum of the first k elements met walking round the ring.
(define (walk-sum ring k)
  (do ((i 0 (+ i 1))
       (p ring (cdr p))
       (sum 0 (+ sum (car p))))
      ((= i k) sum)))

;; A doubly linked ring of n nodes #(value previous next).
(define (make-double-ring n)
  (let ((first (vector 0 #f #f)))
    (let loop ((i 1) (last first))
      (if (= i n)
          (begin (vector-set! last 2 first)
                 (vector-set! first 1 last)
                 first)
          (let ((node (vector i last #f)))
            (vector-set! last 2 node)
            (loop (+ i 1) node))))))

;; Walks k steps backwards, summing.
(define (walk-back node k)
  (let loop ((node node) (k k) (sum 0))
    (if (= k 0)
        sum
        (loop (vector-ref node 1) (- k 1) (+ sum (vector-ref node 0))))))

;; Two closures that call each other: each one's environment holds the other.
(define (make-counter-pair limit)
  (letrec ((even-steps (lambda (n) (if (= n 0) 'even (odd-steps (- n 1)))))
           (odd-steps (lambda (n) (if (= n 0) 'odd (even-steps (- n 1))))))
    (cons even-steps odd-steps)))

(define keepers (make-vector 64 '()))

(define (round! i)
  (let* ((ring (make-ring 50))
         (double (make-double-ring 20))
         (pair (make-counter-pair 10))
         (parity ((car pair) (remainder i 7))))
    (if (= 0 (remainder i 20))
        (vector-set! keepers (remainder (quotient i 20) 64) (list ring double pair)))
    (+ (walk-sum ring 75)
       (walk-back double 30)
       (if (eq? parity 'even) 1 0))))

(define (run rounds)
  (let loop ((i 0) (checksum 0))
    (if (= i rounds)
        checksum
        (loop (+ i 1) (remainder (+ checksum (round! i)) 1000000007)))))

(define rounds (argument 100000))
(display "checksum after ")
(display rounds)
(display " rounds: ")
(display (run rounds))
(newline)
