"""The model catalogue: customization types, base models, their dataset rules, hyperparameters and prices."""

from workflows.catalogue.errors import (
    CatalogueError,
    CatalogueInvalid,
    PriceOverrideError,
    UnknownModel,
    UnsupportedCustomization,
)
from workflows.catalogue.hyperparameter_spec import HyperparameterSpec, ValueKind
from workflows.catalogue.invocation import InvokeRoute, InvokeTarget, base_model_invoke_target
from workflows.catalogue.loader import load_catalogue
from workflows.catalogue.model_spec import CustomizationRules, Lifecycle, ModelSpec, OnDemandDeployment, TokenCounting
from workflows.catalogue.schema import AdviceRule, Catalogue, CustomizationInfo, Guidance
from workflows.catalogue.teacher_spec import TeacherAccess, TeacherSpec
from workflows.catalogue.values import Certainty, Commitment, Fact, ModelPrices, Price, PriceField, PriceStatus

__all__ = [
    "AdviceRule",
    "Catalogue",
    "CatalogueError",
    "CatalogueInvalid",
    "Certainty",
    "Commitment",
    "CustomizationInfo",
    "CustomizationRules",
    "Fact",
    "Guidance",
    "HyperparameterSpec",
    "InvokeRoute",
    "InvokeTarget",
    "Lifecycle",
    "ModelPrices",
    "ModelSpec",
    "OnDemandDeployment",
    "Price",
    "PriceField",
    "PriceOverrideError",
    "PriceStatus",
    "TeacherAccess",
    "TeacherSpec",
    "TokenCounting",
    "UnknownModel",
    "UnsupportedCustomization",
    "ValueKind",
    "base_model_invoke_target",
    "load_catalogue",
]
