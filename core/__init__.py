"""What every area uses, knowing nothing of any area."""
