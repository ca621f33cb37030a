# Multi-stage build of the gateway on the official .NET images.
# docker build -t llm-gateway . && docker run -p 8080:8080 -e ConnectionStrings__Redis=... llm-gateway
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props gateway.sln appsettings.json ./
COPY Gateway/Gateway.csproj Gateway/
COPY Gateway.Metering/Gateway.Metering.csproj Gateway.Metering/
RUN dotnet restore Gateway/Gateway.csproj
COPY Gateway/ Gateway/
COPY Gateway.Metering/ Gateway.Metering/
RUN dotnet publish Gateway/Gateway.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
ENV Urls=http://0.0.0.0:8080
# Tier hot methods up without the runtime's wait for a quiet moment (10x longer on one core): docs/benchmarks.md.
ENV DOTNET_TC_CallCountingDelayMs=0
EXPOSE 8080
USER app
ENTRYPOINT ["dotnet", "Gateway.dll"]
