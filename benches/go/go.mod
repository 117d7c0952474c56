module gc-bench-go

go 1.19
