"""Outsourcing watch: contracted-out services, contractors, dates, the insourcing window."""
