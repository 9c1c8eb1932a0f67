"""Building blocks of the ScanLens demo model (entry point: scripts/train_demo_model.py)."""
