from django.views.generic import DetailView, ListView

from .models import Note


class NoteListView(ListView):
    model = Note


class NoteDetailView(DetailView):
    model = Note
