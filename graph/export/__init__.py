"""RDF files, DCAT/VoID metadata, Graph Store Protocol push."""
