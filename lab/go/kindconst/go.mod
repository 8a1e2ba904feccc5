module v6e2e.local/lab/kindconst

go 1.24.0
