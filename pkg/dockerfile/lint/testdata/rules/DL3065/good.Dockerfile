FROM --platform=$BUILDPLATFORM debian
