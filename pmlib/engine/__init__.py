"""The measure engine: figures as they stood, roll-up, targets, status and trends, year view, rounding.

Pure functions of the contract's tables and a quarter, vectorised over every
measure and period; no presentation.
"""
