"""Records → quads: plans, bodies (authority), topics and places, task parties."""
