FROM --platform=$TARGETPLATFORM debian
