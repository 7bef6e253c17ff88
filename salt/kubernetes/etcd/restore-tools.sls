{#- The JRE and the jar on a master, for the states that run it (kubernetes.etcd.restored,
    kubernetes.etcd.snapshot-volume, kubernetes.etcd.member-replaced); nothing with etcd_restore:install false. -#}
{%- from "kubernetes/map.jinja" import restore with context %}
{%- if restore.install and restore.jre_package %}
etcd-restore-jre:
  pkg.installed:
    - name: {{ restore.jre_package }}
{%- endif %}

{%- if restore.install %}
etcd-restore-jar:
  file.managed:
    - name: {{ restore.jar }}
    - source: {{ restore.jar_source }}
{%-   if restore.jar_source_hash %}
    - source_hash: {{ restore.jar_source_hash }}
{%-   endif %}
    - makedirs: True
    - mode: '0644'
{%- endif %}

