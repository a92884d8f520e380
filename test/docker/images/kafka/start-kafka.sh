#!/bin/bash
# Starts a KRaft broker configured like the apache/kafka image: every KAFKA_FOO_BAR
# variable becomes foo.bar in server.properties; CLUSTER_ID formats the storage once.
set -euo pipefail
conf=/etc/kafka/server.properties
: > "$conf"
while IFS='=' read -r name value; do
  case "$name" in
    KAFKA_HEAP_OPTS|KAFKA_OPTS|KAFKA_JVM_OPTS) continue ;;
    KAFKA_*)
      key=${name#KAFKA_}
      key=$(printf '%s' "$key" | tr '[:upper:]' '[:lower:]' | sed -e 's/___/-/g' -e 's/__/@/g' -e 's/_/./g' -e 's/@/_/g')
      printf '%s=%s\n' "$key" "$value" >> "$conf" ;;
  esac
done < <(env)
logdir=$(sed -n 's/^log\.dirs=//p' "$conf")
logdir=${logdir:-/var/lib/kafka/data}
cp="/opt/kafka/lib/*"
jvm=(-Dlogback.configurationFile=/etc/kafka/logback.xml -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto)
if [ ! -f "$logdir/meta.properties" ]; then
  echo "formatting $logdir for cluster ${CLUSTER_ID:?CLUSTER_ID is required}"
  java "${jvm[@]}" -Xmx256m -cp "$cp" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$conf" --ignore-formatted
fi
# shellcheck disable=SC2086
exec java "${jvm[@]}" ${KAFKA_HEAP_OPTS:--Xmx512m} ${KAFKA_OPTS:-} -cp "$cp" kafka.Kafka "$conf"
