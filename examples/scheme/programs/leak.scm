;; A leak: every request is remembered in a global log that nothing ever trims.
;;
;;   cargo run --release --example scheme -- --census --heap-snapshot leak.heapsnapshot \
;;       examples/scheme/programs/leak.scm 20000
;;
;; The census shows what grows (a vector and a pair per request); `why-alive` shows why the
;; latest request is still alive; the snapshot opens in Chrome DevTools' Memory panel.

(define (request-count)
  (let ((args (cdr (command-line))))
    (if (null? args) 1000 (string->number (car args)))))

(define log '())

(define (handle-request n)
  (let ((request (make-vector 4 n)))
    (set! log (cons request log))
    (vector-ref request 0)))

(define (serve n total)
  (if (= n 0)
      total
      (serve (- n 1) (+ total (handle-request n)))))

(display (serve (request-count) 0))
(newline)
(why-alive (car log))
(heap-census)
