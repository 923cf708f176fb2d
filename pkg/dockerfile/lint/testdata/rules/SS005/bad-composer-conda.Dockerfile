FROM php:8.3-fpm-alpine
COPY --from=composer:2 /usr/bin/composer /usr/bin/composer
WORKDIR /var/www
COPY composer.json composer.lock ./
RUN composer install --no-dev --prefer-dist
COPY . .
CMD ["php-fpm"]
