module asioctx/bench/http/go

go 1.19
