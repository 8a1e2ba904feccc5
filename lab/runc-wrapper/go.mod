module v6e2e.local/lab/runc-wrapper

go 1.24.0
