"""The trained classifiers and their model card, shipped inside the package as `pipeline.models`."""
