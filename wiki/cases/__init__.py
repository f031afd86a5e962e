"""The case library (事例集): models, labels, services, forms and views."""
