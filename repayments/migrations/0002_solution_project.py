# The project link becomes a real ForeignKey now that projects.Project exists.

import django.db.models.deletion
from django.db import migrations, models


def copy_project_ref(apps, schema_editor):
    Solution = apps.get_model("repayments", "Solution")
    Project = apps.get_model("projects", "Project")
    for solution in Solution.objects.filter(project_ref__isnull=False):
        if Project.objects.filter(pk=solution.project_ref).exists():
            solution.project_id = solution.project_ref
            solution.save(update_fields=["project"])


def copy_project_back(apps, schema_editor):
    Solution = apps.get_model("repayments", "Solution")
    for solution in Solution.objects.filter(project__isnull=False):
        solution.project_ref = solution.project_id
        solution.save(update_fields=["project_ref"])


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0003_council_portfolio'),
        ('repayments', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='solution',
            name='project',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='solutions', to='projects.project', verbose_name='prosjekt'),
        ),
        migrations.RunPython(copy_project_ref, copy_project_back),
        migrations.RemoveField(
            model_name='solution',
            name='project_ref',
        ),
    ]
