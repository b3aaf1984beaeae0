"""What every component shares: the problem grammar, the checks, Kubernetes names, objects and versions."""
