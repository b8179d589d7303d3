"""ElevenLabs' request and answer shapes, as far as this service reads and fills them."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from ..rest import StrictFloat

#: The model ids an ElevenLabs client may name: all are Kokoro-82M here.
MODELS = ("eleven_multilingual_v2", "eleven_flash_v2_5", "eleven_turbo_v2_5", "eleven_v3", "kokoro-82m")


class VoiceSettingsSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # stability, similarity_boost, style ...: accepted, without effect

    speed = StrictFloat(load_default=None, allow_none=True,
                        metadata={"description": "0.25 to 4 (ElevenLabs allows 0.7 to 1.2)"})


class TextToSpeechSchema(Schema):
    class Meta:
        unknown = EXCLUDE  # seed, previous_text, pronunciation_dictionary_locators ...: accepted, ignored

    text = fields.String(required=True, metadata={"example": "Hello."})
    model_id = fields.String(load_default="eleven_multilingual_v2", metadata={"enum": list(MODELS)})
    language_code = fields.String(load_default=None, allow_none=True,
                                  metadata={"description": "ISO 639-1 (en, fr, ja ...); default: the voice's"})
    voice_settings = fields.Nested(VoiceSettingsSchema, load_default=None, allow_none=True)


class OutputQuerySchema(Schema):
    class Meta:
        unknown = EXCLUDE  # enable_logging, optimize_streaming_latency: accepted, ignored

    output_format = fields.String(
        load_default="mp3_44100_128",
        metadata={"description": "mp3_* (MP3 at 24 kHz), opus_*, pcm_8000/16000/22050/24000/44100/48000, "
                                 "ulaw_8000, alaw_8000"},
    )


class AlignmentSchema(Schema):
    characters = fields.List(fields.String(), required=True)
    character_start_times_seconds = fields.List(fields.Float(), required=True)
    character_end_times_seconds = fields.List(fields.Float(), required=True)


class WithTimestampsSchema(Schema):
    audio_base64 = fields.String(required=True, metadata={"format": "byte"})
    alignment = fields.Nested(AlignmentSchema, required=True)
    normalized_alignment = fields.Nested(AlignmentSchema, required=True)


class ElevenLabsVoiceSchema(Schema):
    voice_id = fields.String(required=True)
    name = fields.String(required=True)
    category = fields.String(required=True, metadata={"example": "premade"})
    labels = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    description = fields.String(allow_none=True)
    preview_url = fields.String(allow_none=True)


class ElevenLabsVoicesSchema(Schema):
    voices = fields.List(fields.Nested(ElevenLabsVoiceSchema), required=True)
