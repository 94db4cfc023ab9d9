module asioctx/bench/go

go 1.19
