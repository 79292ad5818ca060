"""The SHACL engine and the plan checker."""
