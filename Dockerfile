# Multi-stage build of the gateway. By default the Native AOT binary (what scripts/publish-aot.sh builds): about half
# the memory of the JIT build. --build-arg BUILD=jit builds the JIT one on the ASP.NET image instead: lower latency
# and more requests per core. The figures of both are in docs/benchmarks.md ("Session 6").
# docker build -t llm-gateway . && docker run -p 8080:8080 -e ConnectionStrings__Redis=... -e ConnectionStrings__Postgres=... -e Admin__Token=... llm-gateway
ARG BUILD=aot

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG BUILD
# The native link needs clang and zlib.
RUN if [ "$BUILD" = aot ]; then \
      apt-get update && apt-get install -y --no-install-recommends clang zlib1g-dev && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props gateway.sln appsettings.json ./
COPY Gateway/Gateway.csproj Gateway/
COPY Gateway.Metering/Gateway.Metering.csproj Gateway.Metering/
RUN dotnet restore Gateway/Gateway.csproj
COPY Gateway/ Gateway/
COPY Gateway.Metering/ Gateway.Metering/
RUN if [ "$BUILD" = aot ]; then \
      dotnet publish Gateway/Gateway.csproj -c Release -r "linux-$(uname -m | sed 's/x86_64/x64/;s/aarch64/arm64/')" \
        -p:PublishAot=true -p:OptimizationPreference=Speed -o /app; \
    else \
      dotnet publish Gateway/Gateway.csproj -c Release -o /app; \
    fi

# The native binary needs no .NET runtime, only the system libraries runtime-deps has.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0 AS runtime-aot
WORKDIR /app
COPY --from=build /app ./
ENTRYPOINT ["./Gateway"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime-jit
WORKDIR /app
COPY --from=build /app ./
# Tier hot methods up without the runtime's wait for a quiet moment (10x longer on one core): docs/benchmarks.md.
ENV DOTNET_TC_CallCountingDelayMs=0
ENTRYPOINT ["dotnet", "Gateway.dll"]

FROM runtime-${BUILD}
ENV Urls=http://0.0.0.0:8080
EXPOSE 8080
USER app
