FROM maven:3.9-eclipse-temurin-17 AS build
COPY . /src
RUN mvn -f /src/pom.xml package

FROM eclipse-temurin:11-jre-alpine AS base
WORKDIR /app

FROM base
COPY --from=build /src/target/app.jar /app/app.jar
CMD ["java", "-jar", "/app/app.jar"]
