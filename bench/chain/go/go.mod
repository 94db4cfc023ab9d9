module asioctx/bench/chain/go

go 1.19
