"""Escrow (交易担保): hold, release minus commission, freeze on dispute; commission rates; refunds."""
