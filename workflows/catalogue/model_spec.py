"""One base model in the catalogue: identity, regions, per-type dataset rules, hyperparameters, prices."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from workflows.catalogue.errors import UnsupportedCustomization
from workflows.catalogue.hyperparameter_spec import HyperparameterSpec
from workflows.catalogue.invocation import Invocation
from workflows.catalogue.values import AsOf, ByteCount, Certainty, Fact, ModelPrices, PriceField, PriceStatus
from workflows.dataset_rules import CustomizationType, DatasetFormat, DatasetRules, MediaRules

#: Which record layouts each customization type can use.
_FORMATS_FOR_TYPE = {
    CustomizationType.INSTRUCTION: {DatasetFormat.PROMPT_COMPLETION},
    CustomizationType.CONTINUED_PRETRAINING: {DatasetFormat.TEXT_INPUT},
    CustomizationType.CONVERSATION: {DatasetFormat.BEDROCK_CONVERSATION, DatasetFormat.ANTHROPIC_MESSAGES},
    CustomizationType.DISTILLATION: {DatasetFormat.BEDROCK_CONVERSATION},
    CustomizationType.REINFORCEMENT: {DatasetFormat.CHAT_PROMPTS},
}


class Lifecycle(StrEnum):
    """Bedrock's ``modelLifecycle.status`` for the base model."""

    #: Offered normally.
    ACTIVE = "active"
    #: Still listed in older docs or accounts; on its way out.
    LEGACY = "legacy"


class TokenCounting(StrEnum):
    """How our offline token count relates to the model's own tokenizer."""

    #: cl100k matches Llama 3's tokenizer on most text.
    EXACT = "exact"
    #: Titan, Nova, Claude, Cohere: no public tokenizer, so counts are estimates.
    ESTIMATE = "estimate"


class MediaSpec(BaseModel):
    """Images and videos allowed in user turns, with limits the contract does not carry yet."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    image_formats: frozenset[str] = frozenset()
    video_formats: frozenset[str] = frozenset()
    #: None: no bound known (the contract's 0).
    max_images_per_record: Fact[int] | None = None
    max_videos_per_record: int = 0
    single_modality: bool = True
    same_bucket: bool = False
    #: Media object keys limited to letters, digits, ``_``, ``-``, ``.`` and ``/``.
    plain_uri_keys: bool = False
    max_image_size: ByteCount | None = None
    #: Longest side of an image, in pixels.
    max_image_side_px: int | None = None
    note: str | None = None

    def rules(self) -> MediaRules:
        max_images = self.max_images_per_record
        return MediaRules(
            image_formats=self.image_formats,
            video_formats=self.video_formats,
            max_images_per_record=max_images.value if max_images else 0,
            max_videos_per_record=self.max_videos_per_record,
            single_modality=self.single_modality,
            same_bucket=self.same_bucket,
            plain_uri_keys=self.plain_uri_keys,
        )


class TokenTier(BaseModel):
    """A per-record token limit that applies up to a batch size (Titan: 4,096 at 1, 2,048 at 2–4)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_batch_size: int = Field(ge=1)
    max_tokens: int = Field(ge=1)


class CustomizationRules(BaseModel):
    """What one model needs for one customization type; ``None`` means no bound is known."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: CustomizationType
    format: DatasetFormat
    min_records: Fact[int] | None = None
    max_records: Fact[int] | None = None
    max_validation_records: Fact[int] | None = None
    max_total_records: Fact[int] | None = None
    max_tokens_per_record: Fact[int] | None = None
    #: Tighter limits at larger batch sizes, smallest batch first; beyond the last, the last applies.
    token_tiers: tuple[TokenTier, ...] = ()
    max_file_size: Fact[ByteCount] | None = None
    max_validation_file_size: Fact[ByteCount] | None = None
    media: MediaSpec = MediaSpec()
    #: Conversation formats: ``schemaVersion`` must be exactly ``bedrock-conversation-2024``.
    exact_schema_version: bool = True
    #: Conversation formats: most text blocks in the top-level ``system`` (None: no bound).
    max_system_blocks: int | None = Field(default=None, ge=1)
    #: Whether AWS still offers this model for this type; uncertain when only older docs list it.
    availability: Certainty = Certainty.CONFIRMED
    availability_note: str | None = None
    #: Distillation: the teacher models this student can learn from.
    teachers: tuple[str, ...] = ()
    #: Distillation and reinforcement: prompts must have one user turn.
    single_turn: bool = False
    #: Where this model's support for the type was read, and when (None: not recorded separately).
    source: str | None = None
    as_of: AsOf | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _format_fits_type(self) -> CustomizationRules:
        if self.format not in _FORMATS_FOR_TYPE[self.type]:
            raise ValueError(f"format {self.format} does not fit type {self.type}")
        return self

    def facts(self) -> dict[str, Fact[int] | None]:
        """The bounded quantities by field name, for listing what is uncertain."""
        return {
            "min_records": self.min_records,
            "max_records": self.max_records,
            "max_validation_records": self.max_validation_records,
            "max_total_records": self.max_total_records,
            "max_tokens_per_record": self.max_tokens_per_record,
            "max_file_size": self.max_file_size,
            "max_validation_file_size": self.max_validation_file_size,
            "max_images_per_record": self.media.max_images_per_record,
        }

    def token_limit(self, batch_size: int | None) -> int | None:
        """The per-record token limit at this batch size (None: the default batch size)."""
        if batch_size is None or not self.token_tiers:
            return _value(self.max_tokens_per_record)
        for tier in self.token_tiers:
            if batch_size <= tier.max_batch_size:
                return tier.max_tokens
        return self.token_tiers[-1].max_tokens


class OnDemandDeployment(BaseModel):
    """Per-token serving through CreateCustomModelDeployment; a model without it has Provisioned Throughput only."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    regions: tuple[str, ...]
    #: Only custom models customized on or after this date can be deployed this way.
    customized_on_or_after: date
    #: Where the support was read, and when (None: the date it was read was not recorded).
    source: str
    as_of: AsOf | None = None
    certainty: Certainty = Certainty.CONFIRMED
    note: str | None = None


class ModelSpec(BaseModel):
    """One base model that can be customized, as the bundled catalogue describes it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: The exact ``baseModelIdentifier`` (context-length suffixed, e.g. ``…:0:128k``).
    id: str
    name: str
    provider: str
    lifecycle: Lifecycle = Lifecycle.ACTIVE
    regions: tuple[str, ...]
    #: Tokens the model reads at once; bounds a record where Bedrock documents no training limit.
    context_tokens: int | None = Field(default=None, ge=1)
    customizations: tuple[CustomizationRules, ...] = Field(min_length=1)
    token_counting: TokenCounting
    reserved_words: tuple[str, ...] = ()
    hyperparameters: tuple[HyperparameterSpec, ...]
    on_demand_deployment: OnDemandDeployment | None = None
    #: How the base model itself is invoked per region (to ask it beside a custom model); None: not known.
    invocation: Invocation | None = None
    prices: ModelPrices
    notes: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> ModelSpec:
        _unique("customization type", [rules.type for rules in self.customizations])
        _unique("hyperparameter", [spec.name for spec in self.hyperparameters])
        on_demand_priced = self.prices.on_demand_input_per_1k_tokens is not None
        if on_demand_priced != (self.on_demand_deployment is not None):
            raise ValueError("on-demand prices go with on_demand_deployment, and only with it")
        return self

    @property
    def is_legacy(self) -> bool:
        return self.lifecycle is Lifecycle.LEGACY

    @property
    def customization_types(self) -> tuple[CustomizationType, ...]:
        return tuple(rules.type for rules in self.customizations)

    def supports(self, customization: CustomizationType) -> bool:
        return customization in self.customization_types

    def in_region(self, region: str) -> bool:
        return region in self.regions

    def on_demand_in(self, region: str, customized_on: date | None = None) -> bool:
        """Whether a custom model of this base model can be deployed on demand in ``region``.

        ``customized_on`` is the day its customization job was created, when known; without it only
        the region is checked. Every custom model can be served through Provisioned Throughput.
        """
        deployment = self.on_demand_deployment
        if deployment is None or region not in deployment.regions:
            return False
        return customized_on is None or customized_on >= deployment.customized_on_or_after

    def rules(self, customization: CustomizationType) -> CustomizationRules:
        """This model's requirements for one type; raises UnsupportedCustomization."""
        for rules in self.customizations:
            if rules.type is customization:
                return rules
        offered = ", ".join(self.customization_types)
        raise UnsupportedCustomization(f"{self.name} does not support {customization}; it supports {offered}.")

    def dataset_rules(self, customization: CustomizationType, *, batch_size: int | None = None) -> DatasetRules:
        """The validator's contract for this model and type; ``batch_size`` picks the token tier."""
        rules = self.rules(customization)
        limit = rules.token_limit(batch_size)
        from_context = limit is None and self.context_tokens is not None
        return DatasetRules(
            format=rules.format,
            min_records=_value(rules.min_records),
            max_records=_value(rules.max_records),
            max_validation_records=_value(rules.max_validation_records),
            max_total_records=_value(rules.max_total_records),
            max_tokens_per_record=self.context_tokens if from_context else limit,
            token_count_exact=self.token_counting is TokenCounting.EXACT,
            token_limit_is_context=from_context,
            max_file_bytes=_value(rules.max_file_size),
            max_validation_file_bytes=_value(rules.max_validation_file_size),
            reserved_words=self.reserved_words,
            media=rules.media.rules(),
            model_name=self.name,
            exact_schema_version=rules.exact_schema_version,
            max_system_blocks=rules.max_system_blocks,
            single_turn=rules.single_turn,
        )

    def hyperparameters_for(self, customization: CustomizationType) -> tuple[HyperparameterSpec, ...]:
        """The documented hyperparameters for one type (none for distillation)."""
        self.rules(customization)
        return tuple(spec for spec in self.hyperparameters if customization in spec.applies_to)

    def default_hyperparameters(self, customization: CustomizationType) -> dict[str, str]:
        """API name to default, as the strings CreateModelCustomizationJob expects."""
        specs = self.hyperparameters_for(customization)
        return {spec.name: value for spec in specs if (value := spec.default_value()) is not None}

    def uncertainties(self, customization: CustomizationType | None = None) -> list[str]:
        """Every value of this model that is not confirmed, in words, for an "estimate" footnote."""
        found: list[str] = []
        for rules in self.customizations:
            if customization is None or rules.type is customization:
                found += _uncertain_facts(rules)
        found += [
            f"{spec.name}: {spec.note or 'range not confirmed'}" for spec in self.hyperparameters if spec.uncertain
        ]
        for field in PriceField:
            price = self.prices.get(field)
            if price is not None and price.status is PriceStatus.UNKNOWN:
                found.append(f"{field}: no price known")
            elif price is not None and price.status is PriceStatus.ESTIMATE:
                found.append(f"{field}: {price.source}")
        return found


def _value(fact: Fact[int] | None) -> int | None:
    return None if fact is None else fact.value


def _uncertain_facts(rules: CustomizationRules) -> list[str]:
    found = []
    if rules.availability is Certainty.UNCERTAIN:
        found.append(f"{rules.type} availability: {rules.availability_note or 'not confirmed'}")
    return found + [
        f"{rules.type} {name}: {fact.note or 'not confirmed'}"
        for name, fact in rules.facts().items()
        if fact is not None and fact.uncertain
    ]


def _unique(what: str, names: list[str]) -> None:
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"{what} listed twice: {', '.join(duplicates)}")
