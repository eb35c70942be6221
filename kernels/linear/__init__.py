"""Linear-model kernels: coordinate descent for the lasso and the elastic net."""
