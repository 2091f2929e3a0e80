"""Credit terms (账期): limits, terms, credit orders, repayments, overdue blocks, suggested limits."""
