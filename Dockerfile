# syntax=docker/dockerfile:1
#
# openai-emulator container image.
#
#   docker build -t openai-emulator .
#   docker run --rm -p 8383:8383 openai-emulator
#
# Build stage: the official Swift toolchain image (Swift 6.3 on Debian 12 "bookworm", the same
# toolchain series as the one the project is developed with), release build with the Swift
# runtime and Foundation linked statically, so the runtime stage needs no Swift libraries at all.
# Runtime stage: debian:bookworm-slim plus exactly RUNTIME_PACKAGES below. The same package
# list is used by scripts/rootfs-check.sh, which assembles this file system with debootstrap
# and runs the smoke tests against the binary inside it (no Docker engine needed).

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# --------------------------------------------------------------------------------------------
FROM ${SWIFT_IMAGE} AS build

RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update \
 && apt-get install -y --no-install-recommends libmicrohttpd-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Dependencies first, so that source edits do not re-fetch them. Package.resolved is optional
# (the glob keeps COPY from failing when it is absent).
COPY Package.swift Package.resolve[d] ./
RUN swift package resolve

# Tests/ is needed too: the manifest declares the test target and its resources.
COPY Sources ./Sources
COPY Tests ./Tests

# Stripped on install (-s): the symbols are a quarter of the binary's size. Linked with lld and
# packed relative relocations (DT_RELR, glibc 2.36+ as in bookworm): the relocation table falls
# from 2 MB, which the loader reads at every start, to 35 KB, and idle memory by about 1.7 MB.
RUN swift build -c release --product openai-emulator --static-swift-stdlib \
      -Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs \
 && install -D -s -m 0755 "$(swift build -c release --show-bin-path)/openai-emulator" \
      /staging/usr/local/bin/openai-emulator

# --------------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE}

# Everything the binary needs besides glibc and libstdc++: libmicrohttpd12 (the HTTP server;
# brings GnuTLS), libcurl4 (the upstream proxy's HTTP client, loaded at run time only when
# --proxy-to is given) and the CA certificates for upstream calls over TLS.
ARG RUNTIME_PACKAGES="libmicrohttpd12 libcurl4 ca-certificates"
# Pass the real values at build time, e.g. --build-arg SOURCE=https://... --build-arg VERSION=0.1.0
# (the version printed by `openai-emulator --version`). LICENSES is an SPDX expression; the
# default NOASSERTION means none was declared.
ARG VERSION=0.1.0
ARG SOURCE=unknown
ARG LICENSES=NOASSERTION

LABEL org.opencontainers.image.title="openai-emulator" \
      org.opencontainers.image.description="Emulates the OpenAI HTTP API (chat completions, responses, messages, models) with no model behind it, for tests and load tests" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="${LICENSES}"

RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update \
 && apt-get install -y --no-install-recommends ${RUNTIME_PACKAGES} \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && groupadd --system --gid 10001 emulator \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin emulator

COPY --from=build /staging/ /

# Numeric, so that Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
USER 10001:10001

# Every flag can also be set as EMULATOR_<FLAG>; inside a container the server must listen on
# all interfaces to be reachable through a published port or a Service.
ENV EMULATOR_HOST=0.0.0.0 \
    EMULATOR_PORT=8383

EXPOSE 8383

# The server is PID 1 here: it blocks SIGTERM/SIGINT and receives them with sigwait, so they
# are delivered even to PID 1 (no init needed to forward them), and it starts no child
# processes, so there are no zombies to reap. `docker run --init` does no harm either.
STOPSIGNAL SIGTERM

# No curl in the slim image: bash (essential in Debian) opens the socket with /dev/tcp and
# reads the status line of GET /health.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${EMULATOR_PORT:-8383} && printf 'GET /health HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && read -r -t 2 status <&3 && [[ $status == *' 200 '* ]]"]

ENTRYPOINT ["/usr/local/bin/openai-emulator"]
