"""Offers, volume tiers, customer groups, price policies, the pricing service and price comparison."""
