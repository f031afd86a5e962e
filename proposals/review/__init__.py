"""Peer review of proposals (相互評価): rounds, allocation, rubric, reviews, answers."""
