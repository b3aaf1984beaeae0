"""The stack-config layer: Pulumi.<env>.yaml -> validated component args and providers."""
