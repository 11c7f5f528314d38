"""Customer analytics: features, RFM, lifecycle, CLV, churn, cross-sell, model registry."""
