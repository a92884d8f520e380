#!/bin/sh
# Like the official redis image: listen on every interface of the container without
# protected mode (the host reaches it through the published 127.0.0.1 port), data in /data.
exec /usr/bin/redis-server --bind '* -::*' --protected-mode no --dir /data "$@"
