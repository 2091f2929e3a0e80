"""inventory: typed errors with stable codes."""

from __future__ import annotations

from typing import Any

from autotrade.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed


class InsufficientStock(Conflict):
    """Raised once per call with every short line in ``errors``:
    ``[{part_id, warehouse_id, requested, available}]``."""

    code = "insufficient_stock"
    title = "Not enough stock"

    def __init__(self, errors: list[dict[str, Any]], detail: str | None = None) -> None:
        super().__init__(detail or f"not enough stock for {len(errors)} line(s)", errors=errors)


class ReservationMismatch(Conflict):
    """Releasing or shipping more than is reserved (a caller's bookkeeping error, never silently clamped):
    ``errors=[{part_id, warehouse_id, requested, reserved}]``."""

    code = "reservation_mismatch"
    title = "More than is reserved"

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} line(s) exceed what is reserved", errors=errors)


class BelowReserved(Conflict):
    code = "below_reserved"
    title = "On hand cannot go below what is reserved"


class InvalidQuantity(ValidationFailed):
    code = "invalid_quantity"
    title = "Quantities are positive whole numbers"


class WarehouseNotFound(NotFound):
    code = "warehouse_not_found"
    title = "Warehouse not found"


class StockLevelNotFound(NotFound):
    code = "stock_level_not_found"
    title = "Stock level not found"


class PartNotFound(NotFound):
    code = "part_not_found"
    title = "Part not found"


class WarehouseCodeTaken(Conflict):
    code = "warehouse_code_taken"
    title = "A warehouse with this code already exists"


class WarehouseInUse(Conflict):
    code = "warehouse_in_use"
    title = "The warehouse holds stock"


class AllianceNotFound(NotFound):
    code = "alliance_not_found"
    title = "Alliance not found"


class TransferNotFound(NotFound):
    code = "transfer_not_found"
    title = "Transfer request not found"


class UploadNotFound(NotFound):
    code = "upload_not_found"
    title = "Stock upload not found"


class TransferNotAllowed(InvalidTransition):
    code = "invalid_transfer_transition"
