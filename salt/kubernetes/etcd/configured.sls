{#- etcd main and events on a master: one static pod manifest per cluster in the kubelet's manifest directory. -#}
{%- from "kubernetes/map.jinja" import etcd with context %}
{%- if etcd.errors %}
etcd-pillar:
  test.fail_without_changes:
    - comment: {{ ('etcd pillar: ' ~ etcd.errors|join('; '))|json }}
{%- endif %}
{%- for name, cluster in etcd.clusters.items() if not etcd.errors %}

etcd-{{ name }}-data-dir:
  file.directory:
    - name: {{ cluster.data_dir }}
    - makedirs: True
    - mode: '0700'

etcd-{{ name }}-manifest:
  file.managed:
    - name: {{ etcd.manifest_dir }}/{{ cluster.manifest }}
    - source: salt://kubernetes/etcd/files/etcd.manifest
    - template: jinja
    - makedirs: True
    - mode: '0644'
    - context:
        etcd: {{ etcd|json }}
        cluster: {{ cluster|json }}
    - require:
      - file: etcd-{{ name }}-data-dir
{%- endfor %}
