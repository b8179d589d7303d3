FROM python:3.11-slim

# Set FETCH_VOICES=0 to build without the 54 official voices (the image then speaks the five
# embedded Japanese voices only); the build needs the Hugging Face Hub (or HF_ENDPOINT) otherwise.
ARG FETCH_VOICES=1
ARG HF_ENDPOINT=

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    APP_ENV=production \
    INSTANCE_PATH=/data \
    TTS_CACHE_DIR=/app/cache

WORKDIR /app
COPY requirements.txt ./
# torch from its CPU index: the default index would take a CUDA build of several GB for a CPU
# service. Installed first, so that requirements.txt's torch==2.13.0 is already satisfied.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
    && pip install -r requirements.txt

COPY . .
# The catalogues of the page's, the emails' and the API's languages, compiled (.po -> .mo).
RUN pybabel -q compile -d kokoro_tts/translations
# Build-time downloads and assembly, so that nothing is fetched at run time: the embedded model is
# assembled (checked by sha256) into TTS_CACHE_DIR, the official voices go to TTS_CACHE_DIR/voices.
RUN SECRET_KEY=build-only-not-a-secret-0123456789abcdef APP_ENV=development INSTANCE_PATH=/tmp/build \
    sh -c 'flask --app wsgi tts warmup \
        && if [ "$FETCH_VOICES" = "1" ]; then HF_ENDPOINT="${HF_ENDPOINT:-https://huggingface.co}" flask --app wsgi tts download; fi' \
    && rm -rf /tmp/build /root/.cache/huggingface
RUN useradd --create-home --uid 10001 app \
    && mkdir -p /data \
    && chown app:app /data
USER app

EXPOSE 8000
CMD ["./scripts/boot.sh"]
