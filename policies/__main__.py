"""`pulumi preview --policy-pack policies`: the CLI runs this file in the pack's virtualenv."""

import sys
from pathlib import Path

# The CLI runs the pack from inside policies/; the modules import each other as `policies.*`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import PolicyPack

from policies.pack import DEFAULT_ENFORCEMENT, PACK_NAME, POLICIES

PolicyPack(name=PACK_NAME, policies=POLICIES, enforcement_level=DEFAULT_ENFORCEMENT)
