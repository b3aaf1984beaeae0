"""The traffic-edge CrossGuard policies.

Each policy lives in an importable module so the tests and `make plan` (`traffic-edge plan
--policy-pack policies`, which loads this pack through its `__main__.py`) run exactly the
functions `pulumi preview --policy-pack policies` runs.
Only `__main__.py` builds the `PolicyPack`: constructing one starts a gRPC server and blocks.
Nothing here imports the components: the pack's own virtualenv has only pulumi-policy.
"""
