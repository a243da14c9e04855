"""Negotiating demands: claims to an employer, their demands, evidence, costings and surveys."""
