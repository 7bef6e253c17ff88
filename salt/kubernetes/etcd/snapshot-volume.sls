{#- Brings an EBS snapshot of the snapshot volume back on this master for kubernetes.etcd.restored, and gives it back
    afterwards (docs/aws.md). Pillar etcd_restore:ebs_snapshot: `latest` or a snapshot id creates a volume from it in
    this master's zone, attaches it and mounts it read-only at etcd_restore:snapshot_dir (nothing to do when
    something is mounted there already); `release` unmounts it, then detaches and deletes every volume brought back
    to this master. -#}
{%- from "kubernetes/map.jinja" import restore with context %}
{%- set mode = restore.ebs_snapshot|string|trim %}
{%- set dir = restore.snapshot_dir|quote %}
{%- set aws = [] %}
{%- for flag, value in [('--region', restore.aws_region), ('--endpoint', restore.aws_endpoint),
                        ('--instance-id', restore.instance_id)] if value %}
{%-   do aws.extend([flag, value|string]) %}
{%- endfor %}
{%- set java_jar = restore.java|quote ~ ' -jar ' ~ restore.jar|quote %}
include:
  - kubernetes.etcd.restore-tools

{%- if not mode %}
etcd-snapshot-volume:
  test.succeed_without_changes:
    - comment: pillar etcd_restore:ebs_snapshot is empty; set it to latest, a snapshot id, or release

{%- elif mode == 'release' %}
etcd-snapshot-volume-unmounted:
  cmd.run:
    - name: umount {{ dir }}
    - onlyif: mountpoint -q {{ dir }}

etcd-snapshot-volume-released:
  cmd.run:
    - name: {{ java_jar }} volume-release {{ aws|map('quote')|join(' ') }}
    - require: {{ (restore.installs + [{'cmd': 'etcd-snapshot-volume-unmounted'}])|json }}

{%- else %}
{%-   set attach = aws + ['--snapshot-id', mode, '--device', restore.ebs_device|string] %}
{%-   if restore.availability_zone %}{% do attach.extend(['--availability-zone', restore.availability_zone|string]) %}{% endif %}
{%-   for key, value in restore.ebs_snapshot_tags.items() %}{% do attach.extend(['--tag', key ~ '=' ~ value]) %}{% endfor %}
etcd-snapshot-volume-mounted:
  cmd.run:
    - name: |
        set -euo pipefail
        device=$({{ java_jar }} volume-attach {{ attach|map('quote')|join(' ') }})
        mkdir -p {{ dir }}
        mount -o ro "$device" {{ dir }}
    - shell: /bin/bash
    - unless: mountpoint -q {{ dir }}
{%-   if restore.installs %}
    - require: {{ restore.installs|json }}
{%-   endif %}
{%- endif %}
