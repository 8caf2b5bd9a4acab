"""Analysis of a transfer's source and target: how their tables line up and how they differ.

``graft.analysis.column_matching`` pairs the columns of a source table with those of a
target table whose columns differ in name, order or set.
"""
