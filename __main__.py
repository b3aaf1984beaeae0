"""traffic-edge stack program: everything happens in edge_stack (config -> providers -> components)."""

from edge_stack.program import main

main()
