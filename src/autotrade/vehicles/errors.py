"""Typed errors of the vehicle master data, each with a stable ``code``."""

from __future__ import annotations

from autotrade.core.errors import Conflict, NotFound, ValidationFailed


class MakeNotFound(NotFound):
    code = "make_not_found"
    title = "Vehicle make not found"


class ModelNotFound(NotFound):
    code = "model_not_found"
    title = "Vehicle model not found"


class GenerationNotFound(NotFound):
    code = "generation_not_found"
    title = "Vehicle generation not found"


class VariantNotFound(NotFound):
    code = "variant_not_found"
    title = "Vehicle variant not found"


class VinPatternNotFound(NotFound):
    code = "vin_pattern_not_found"
    title = "VIN pattern not found"


class MakeNameTaken(Conflict):
    code = "make_name_taken"
    title = "A make with this name exists"


class ModelNameTaken(Conflict):
    code = "model_name_taken"
    title = "This make already has a model with this name"


class GenerationNameTaken(Conflict):
    code = "generation_name_taken"
    title = "This model already has a generation with this name"


class VariantNameTaken(Conflict):
    code = "variant_name_taken"
    title = "This generation already has a variant with this name"


class VariantCodeTaken(Conflict):
    code = "variant_code_taken"
    title = "A variant with this code exists"


class VinPatternTaken(Conflict):
    code = "vin_pattern_taken"
    title = "This variant already has this VIN pattern"


class InvalidVinPattern(ValidationFailed):
    code = "invalid_vin_pattern"
    title = "The VIN pattern is not valid"


class InvalidYearRange(ValidationFailed):
    code = "invalid_year_range"
    title = "The year range is not valid"
